import path from 'node:path';
import { FunctionWorker } from '../src/reprocess/function-worker';
import { invocationFor } from '../src/reprocess/local-job';

const ENTRY = path.join(__dirname, 'fixtures', 'echo-handler.ts');
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

describe('FunctionWorker', () => {
  it('hosts a handler in its own process with only the given environment, and stops by PID', async () => {
    const worker = await FunctionWorker.start({ entry: ENTRY, env: { GREETING: 'hello' }, output: quiet });
    try {
      const result = (await worker.invoke(invocationFor('job', { bucket: 'b', key: 'a b.jpg' }))) as {
        results: { resultString: string }[];
      };
      expect(result.results[0]?.resultString).toBe(`hello b/a b.jpg pid ${worker.pid}`);
      expect(worker.pid).not.toBe(process.pid);
      await expect(worker.invoke(invocationFor('job', { bucket: 'b', key: 'throw' }))).rejects.toThrow(
        'Error: handler blew up',
      );
    } finally {
      await worker.stop();
    }
    expect(() => process.kill(worker.pid as number, 0)).toThrow();
  });

  it('fails an invocation that outlives the timeout, and one whose process dies', async () => {
    const worker = await FunctionWorker.start({ entry: ENTRY, env: {}, timeoutMs: 500, output: quiet });
    try {
      await expect(worker.invoke(invocationFor('job', { bucket: 'b', key: 'hang' }))).rejects.toThrow(
        'Task timed out after 0.5 seconds',
      );
      await expect(worker.invoke(invocationFor('job', { bucket: 'b', key: 'crash' }))).rejects.toThrow(
        /exited \(3\)/,
      );
    } finally {
      await worker.stop();
    }
  });

  it('reports a module that fails to load', async () => {
    await expect(
      FunctionWorker.start({ entry: path.join(__dirname, 'fixtures', 'missing.ts'), env: {}, output: quiet }),
    ).rejects.toThrow(/missing\.ts/);
  });
});
