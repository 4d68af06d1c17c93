import { runCli } from '../src/main';
import { captureIo } from './support';

const runAudit = jest.fn(async (_args: string[], io: { stdout: NodeJS.WritableStream }) => {
  io.stdout.write('problems: 0\n');
  return 0;
});
jest.mock('@sluice/ops', () => ({
  runAudit: (...args: unknown[]) => runAudit(...(args as [string[], never])),
}));

describe('sluice audit', () => {
  it('hands its flags to the ops audit and answers its exit code', async () => {
    const io = captureIo();
    const code = await runCli(
      [
        'audit',
        '--deployment',
        'prod.json',
        '--ingest-bucket',
        'in',
        '--grace',
        '30',
        '--no-verify',
        '--no-search-index',
        '-v',
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(runAudit).toHaveBeenCalledTimes(1);
    expect(runAudit.mock.calls[0]?.[0]).toEqual([
      '--deployment',
      'prod.json',
      '--ingest-bucket',
      'in',
      '--no-search-index',
      '--grace',
      '30',
      '--no-verify',
      '--verbose',
      '--json',
    ]);
    expect(io.out()).toBe('problems: 0\n');
  });

  it('answers 1 when the audit finds problems, and 2 for a bad --grace', async () => {
    runAudit.mockResolvedValueOnce(1);
    expect(await runCli(['audit'], captureIo())).toBe(1);
    expect(runAudit.mock.calls[0]?.[0]).toEqual([]);
    const io = captureIo();
    expect(await runCli(['audit', '--grace', 'soon'], io)).toBe(2);
    expect(io.err()).toMatch(/--grace must be a number of seconds/);
  });
});
