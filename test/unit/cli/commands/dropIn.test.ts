import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDropIn } from '../../../../cli/commands/dropIn';
import { createSrs } from '../../../../lib/srs';
import { captureIo } from '../captureIo';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'srsctl-dropin-'));
  writeFileSync(path.join(dir, 'newline'), 'tops3cr3t\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = captureIo();
  const status = await runDropIn(args, io);
  return { status, stdout: io.out(), stderr: io.err() };
}

const S = ['--secret', 'tops3cr3t'];
const today = createSrs({ secrets: [Buffer.from('tops3cr3t')] });
const forwarded = (today.forward('alice@sender.test', 'example.org') as { value: string }).value;

describe('the Debian srs form', () => {
  it('forwards each address on its own line, --address ones first', async () => {
    const result = await run(...S, '--alias', 'example.org', 'alice@sender.test', '--address', 'bob@b.test');
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')).toEqual([expect.stringMatching(/^SRS0=.*=b\.test=bob@example\.org$/), forwarded, '']);
  });

  it('reverses with --reverse, which wins over --forward', async () => {
    expect(await run('--forward', '--reverse', ...S, forwarded)).toEqual({ status: 0, stdout: 'alice@sender.test\n', stderr: '' });
  });

  it('keys a --secretfile line with its newline, after every --secret', async () => {
    const withNewline = createSrs({ secrets: [Buffer.from('tops3cr3t\n')] }).forward('alice@sender.test', 'example.org');
    expect((await run('--secretfile', path.join(dir, 'newline'), '--alias', 'example.org', 'alice@sender.test')).stdout).toBe(
      `${(withNewline as { value: string }).value}\n`,
    );
    expect((await run(...S, '--secretfile', path.join(dir, 'newline'), '--alias', 'example.org', 'alice@sender.test')).stdout).toBe(`${forwarded}\n`);
  });

  it('stops at the first failing address with 255, after printing the ones before', async () => {
    const result = await run(...S, '--alias', 'example.org', 'alice@sender.test', 'bad', 'bob@b.test');
    expect(result).toEqual({ status: 255, stdout: `${forwarded}\n`, stderr: expect.stringMatching(/^srsctl: bad: .*\(malformed\)\n$/) });
  });

  it.each([
    ['the separator before anything else', ['--separator', 'x', '--hashlength', '0'], /separator must be one of = \+ -, not 'x'/],
    ['a zero hash length before the addresses', ['--hashlength', '0'], /hash length must be from 1 to 27, not 0/],
    ['no address before the secret', [], /no address given/],
    ['no secret before the alias', ['a@b.test'], /no secret/],
    ['an empty secret', ['--secret', '', '--alias', 'x.test', 'a@b.test'], /empty secret/],
    ['no alias when forwarding', [...S, 'a@b.test'], /use --alias DOMAIN/],
    ['an alias without domain', [...S, '--alias', 'fwd@', 'a@b.test'], /has no domain/],
  ])('dies with 255 on %s', async (_name, args, message) => {
    const result = await run(...args);
    expect(result).toMatchObject({ status: 255, stdout: '' });
    expect(result.stderr).toMatch(message);
  });

  it("exits with a secret file's errno, as Perl's die does", async () => {
    const result = await run('--secretfile', path.join(dir, 'missing'), '--alias', 'x.test', 'a@b.test');
    expect(result).toMatchObject({ status: 2, stderr: expect.stringMatching(/not readable: ENOENT/) });
    expect((await run('--secretfile', dir, '--alias', 'x.test', 'a@b.test')).status).toBe(21);
  });

  it('answers --help and option errors with the usage on stdout and status 1', async () => {
    expect(await run('--help')).toMatchObject({ status: 1, stdout: expect.stringMatching(/^Usage:/), stderr: '' });
    expect(await run('--hashlength', 'abc')).toMatchObject({ status: 1, stdout: expect.stringMatching(/^Usage:/) });
    expect(await run('--rev')).toMatchObject({ status: 1, stderr: expect.stringMatching(/^srsctl: Unknown option '--rev'/) });
  });
});
