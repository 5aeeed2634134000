/** Types for bmp-js 0.1.0, used by the tests as an independent BMP writer (the package ships none). */
declare module 'bmp-js' {
  interface BmpJsImage {
    width: number;
    height: number;
    /** A, B, G, R bytes per pixel. */
    data: Buffer;
  }
  const bmpJs: {
    decode(buffer: Buffer): BmpJsImage;
    encode(image: BmpJsImage): BmpJsImage;
  };
  export default bmpJs;
}
