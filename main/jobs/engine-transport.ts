/**
 * How main reaches an engine host process. Two launchers implement it: a Node child process
 * (CLI, browser-mode server, tests: `nodeEngineLauncher`) and Electron's utilityProcess
 * (main/electron/engine-launcher.ts). Both start the same entry module, main/engine/host.ts.
 */
import type { HostMessage, HostRequest } from '../engine/protocol';

export interface EngineTransport {
  readonly pid: number | undefined;
  send(message: HostRequest): void;
  onMessage(listener: (message: HostMessage) => void): void;
  /** Called once when the process ends, whatever the reason. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type EngineLauncher = () => EngineTransport;
