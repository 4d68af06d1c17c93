import type { ChildProcess } from 'node:child_process';

/**
 * Signals a child's whole process group (children are spawned detached, so their PID is the
 * group id), falling back to the PID alone. Never throws: the process may already be gone.
 */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already exited.
    }
  }
}

/** Resolves true once the child has exited, or false after timeoutMs. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Resolves true once the child has exited and its stdio streams have closed, or false after timeoutMs. */
export function waitForClose(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const exited = child.exitCode !== null || child.signalCode !== null;
  const closed = exited && (child.stdout?.destroyed ?? true) && (child.stderr?.destroyed ?? true);
  if (closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('close', onClose);
      resolve(false);
    }, timeoutMs);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('close', onClose);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
