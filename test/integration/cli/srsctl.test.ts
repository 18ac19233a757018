/**
 * srsctl's own subcommands, compiled, against a throw-away Courier tree and policy: genkey,
 * forward/reverse with the installed policy, explain and check.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { createCourierTree, type CourierTree } from './courierTree';
import { itWithPerlSrs } from '../../support/withOptionalTools';
import { onOneDay, runNode, runPerlSrs, SRSCTL } from './support';

jest.setTimeout(30_000);

let tree: CourierTree;
beforeEach(() => {
  tree = createCourierTree();
});
afterEach(() => tree.remove());

const srsctl = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => runNode(SRSCTL, args, { env: tree.env(env) });

describe('srsctl genkey', () => {
  it('prints 32 random bytes in base64 without a line ending', () => {
    const first = srsctl(['genkey']);
    const second = srsctl(['genkey']);
    expect(first).toMatchObject({ status: 0, stderr: '' });
    expect(first.stdout).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(first.stdout, 'base64')).toHaveLength(32);
    expect(second.stdout).not.toBe(first.stdout);
  });

  itWithPerlSrs('creates a 0640 file that Perl srs --secretfile, srs --secret and the policy all key the same', () => {
    const file = path.join(tree.root, 'etc/new.secret');
    expect(srsctl(['genkey', '--output', file]).status).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const secret = readFileSync(file, 'utf8');
    expect(secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    writeFileSync(tree.policyPath, `srs-domain: example.org\nsecrets-file: ${file}\nseparator: '='\n`);
    const made = onOneDay(() => ({
      perlFile: runPerlSrs(['--secretfile', file, '--alias', 'example.org', 'alice@sender.test']).stdout,
      perlSecret: runPerlSrs(['--secret', secret, '--alias', 'example.org', 'alice@sender.test']).stdout,
      policy: srsctl(['forward', '--config', tree.policyPath, 'alice@sender.test']).stdout,
    }));
    expect(made.perlFile).toMatch(/^SRS0=/);
    expect(made.perlSecret).toBe(made.perlFile);
    expect(made.policy).toBe(made.perlFile);
  });

  it('never replaces an existing secret', () => {
    const run = srsctl(['genkey', '--output', tree.secretPath]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^srsctl: cannot create .*: it exists/);
    expect(readFileSync(tree.secretPath, 'utf8')).toBe(`${tree.secret}\nold-s3cret\n`);
  });
});

describe('srsctl forward and reverse with the installed policy', () => {
  it('forward prints only the SRS address of srs-domain, reverse only the original', () => {
    const forward = srsctl(['forward', '--config', tree.policyPath, 'alice@sender.test']);
    expect(forward).toMatchObject({ status: 0, stderr: '' });
    expect(forward.stdout).toMatch(/^SRS0-[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=sender\.test=alice@example\.org\n$/);
    const reverse = srsctl(['reverse', '--config', tree.policyPath, forward.stdout.trim()]);
    expect(reverse).toEqual({ status: 0, stdout: 'alice@sender.test\n', stderr: '' });
  });

  itWithPerlSrs('reads the policy secrets without the line ending (Perl srs --secret agrees)', () => {
    const made = onOneDay(() => ({
      perl: runPerlSrs(['--secret', tree.secret, '--separator', '-', '--alias', 'example.org', 'alice@sender.test']).stdout,
      srsctl: srsctl(['forward', '--config', tree.policyPath, 'alice@sender.test']).stdout,
    }));
    expect(made.srsctl).toBe(made.perl);
  });

  it('command-line options win over the policy', () => {
    const run = srsctl(['forward', '--config', tree.policyPath, '--alias', 'other.test', '--separator', '+', '--hashlength', '6', 'a@b.test']);
    expect(run.stdout).toMatch(/^SRS0\+[A-Za-z0-9+/]{6}=[A-Z2-7]{2}=b\.test=a@other\.test\n$/);
  });

  it('refuses a forged address with one line and status 1', () => {
    const run = srsctl(['reverse', '--config', tree.policyPath, 'SRS0-abcd=AB=sender.test=alice@example.org']);
    expect(run).toMatchObject({ status: 1, stdout: '' });
    expect(run.stderr).toMatch(/^srsctl: SRS0-abcd=AB=sender\.test=alice@example\.org: .*\(bad-hash\)\n$/);
  });

  it('reports a broken policy with file, line and column, status 2', () => {
    writeFileSync(tree.policyPath, 'srs-domain: example.org\nsecrets-fle: /x\n');
    const run = srsctl(['forward', '--config', tree.policyPath, 'a@b.test']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`srsctl: ${tree.policyPath}:2:1: secrets-fle: unknown key; did you mean 'secrets-file'?`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('works with a world-readable secrets file, saying so', () => {
    chmodSync(tree.secretPath, 0o644);
    const run = srsctl(['forward', '--config', tree.policyPath, 'a@b.test']);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^srsctl: warning: .*world-readable/);
  });

  it('without a policy, says how to give one', () => {
    const run = srsctl(['reverse', '--config', path.join(tree.root, 'none.yaml'), 'a@b.test']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/give --config FILE, or --secret\/--secretfile\n$/);
  });
});

describe('srsctl explain', () => {
  const explain = (...args: string[]) => srsctl(['explain', '--config', tree.policyPath, ...args]);

  it('shows the rewrite of mail an alias forwards outside', () => {
    const run = explain('alice@sender.test', 'someone@remote.test', '--original-recipient', 'fwd@example.org');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^message: from <alice@sender\.test> to <someone@remote\.test> \(for <fwd@example\.org>\) \(source smtp\)\ndecision: rewrite\nrule: forwarded-alias\nreason: .+\nsender: <alice@sender\.test> -> <SRS0-[^>]+@example\.org>\n$/,
    );
  });

  it('shows a bounce being reversed and a forged one refused', () => {
    const address = srsctl(['forward', '--config', tree.policyPath, 'alice@sender.test']).stdout.trim();
    expect(explain('<>', address).stdout).toContain(`decision: reverse\nrule: srs-bounce\n`);
    expect(explain('<>', address).stdout).toContain(`recipient: <${address}> -> <alice@sender.test>\n`);
    const forged = explain('', 'SRS0-abcd=AB=sender.test=alice@example.org').stdout;
    expect(forged).toContain('decision: reject\n');
    expect(forged).toMatch(/reply: 550 5\.1\.1 <SRS0-abcd=AB=sender\.test=alice@example\.org>: /);
  });

  it('passes a local sender and a local submission', () => {
    expect(explain('bob@example.org', 'someone@remote.test', '--original-recipient', 'fwd@example.org').stdout).toContain('rule: local-sender\n');
    expect(explain('alice@sender.test', 'someone@remote.test', '--source', 'local').stdout).toContain('rule: local-submission\n');
  });

  it("passes mail for a domain in Courier's esmtpacceptmailfor.dir: a backup MX relays it as it came", () => {
    mkdirSync(path.join(tree.root, 'etc/esmtpacceptmailfor.dir'));
    writeFileSync(path.join(tree.root, 'etc/esmtpacceptmailfor.dir/secondary'), 'backup-mx.test\n');
    expect(explain('alice@sender.test', 'dave@backup-mx.test').stdout).toContain('decision: pass\nrule: backup-mx-relay\n');
  });

  it('refuses an unknown source', () => {
    expect(explain('a@b.test', 'c@d.test', '--source', 'esmtp')).toMatchObject({ status: 2, stdout: '' });
  });
});

describe('srsctl check', () => {
  let socket: Server;
  beforeEach(async () => {
    const at = (relative: string) => path.join(tree.root, relative);
    writeFileSync(at('lib/filters/srsfilter'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync(at('lib/filters/srsfilter'), at('etc/filters/active/srsfilter'));
    for (const tag of ['SRS0', 'SRS1', 'srs0', 'srs1']) writeFileSync(at(`etc/aliasdir/.courier-${tag}-default`), '| srs-reverser\n');
    socket = createServer();
    await new Promise<void>((resolve) => socket.listen(at('var/allfilters/srsfilter'), resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => socket.close(resolve));
  });

  const check = () => srsctl(['check', '--config', tree.policyPath]);

  it('passes a complete set-up, with an ok line per check', () => {
    const run = check();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`ok      policy ${tree.policyPath} is valid`);
    expect(run.stdout).toContain(`ok      secrets file ${tree.secretPath}: 2 secrets, mode 0640`);
    expect(run.stdout).toMatch(/ok {6}filter installed: .*\nok {6}filter active: .*\nok {6}filter running: /);
    expect(run.stdout).toContain('ok      srs-domain example.org is local (locals: example.org)');
    expect(run.stdout).toMatch(/\nsrsctl check: no problems\n$/);
    expect(run.stdout).not.toContain('PROBLEM');
  });

  const breakages: ReadonlyArray<readonly [name: string, breakIt: () => void, line: RegExp]> = [
    ['a world-readable secrets file', () => chmodSync(tree.secretPath, 0o644), /PROBLEM secrets file .* is world-readable \(mode 0644\).*\n {8}fix: chmod 0640 .* && chown root:\S+ /],
    ['a group-writable secrets file', () => chmodSync(tree.secretPath, 0o660), /PROBLEM secrets file .* is group-writable/],
    ['a missing secrets file', () => unlinkSync(tree.secretPath), /PROBLEM secrets file .* does not exist\n {8}fix: srsctl genkey --output /],
    ['a secrets file without a secret', () => writeFileSync(tree.secretPath, '# none\n'), /PROBLEM .*holds no secret/],
    ['a policy error', () => writeFileSync(tree.policyPath, 'srs-domain: example.org\nsecrets-file: relative\n'), /PROBLEM .*srsfilter\.yaml:2:15: secrets-file: must be an absolute path/],
    [
      'an unquoted glob (a YAML alias) in the policy',
      () => tree.writePolicy('exclude-senders: [*.partner.test]\n'),
      /PROBLEM .*srsfilter\.yaml:3:19: exclude-senders\[0\]: \*\.partner\.test is a YAML alias.*: quote it: '\*\.partner\.test'; patterns are /,
    ],
    ['an srs-domain that is not local', () => writeFileSync(path.join(tree.root, 'etc/locals'), 'localhost\n'), /PROBLEM srs-domain example\.org is not a local domain/],
    ['esmtp missing in enablefiltering', () => writeFileSync(path.join(tree.root, 'etc/enablefiltering'), 'local\n'), /PROBLEM .*enablefiltering lacks esmtp/],
    ['an inactive filter', () => unlinkSync(path.join(tree.root, 'etc/filters/active/srsfilter')), /PROBLEM the filter is not active: .*\n {8}fix: filterctl start srsfilter/],
    ['an uninstalled filter', () => rmSync(path.join(tree.root, 'lib/filters/srsfilter')), /PROBLEM the filter is not installed/],
    ['a missing aliasdir file', () => unlinkSync(path.join(tree.root, 'etc/aliasdir/.courier-srs1-default')), /PROBLEM .*\.courier-srs1-default is missing/],
    ['separator = without a catch-all', () => tree.writePolicy("separator: '='\n"), /PROBLEM separator =: Courier refuses RCPT TO:<SRS0=…>/],
  ];
  it.each(breakages)('fails with a clear line on %s', (_name, breakIt, line) => {
    breakIt();
    const run = check();
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(line);
    expect(run.stdout).toMatch(/\nsrsctl check: \d+ problems?\n$/);
  });

  (process.getuid?.() === 0 ? it : it.skip)('fails on a 0640 secrets file of another group than the mail group, as the filter refuses it (needs root to chown)', () => {
    chownSync(tree.secretPath, 0, 4);
    const run = check();
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/PROBLEM secrets file .* is readable by group 4 \(mode 0640\), not the mail group \S+: its members can forge bounces\n {8}fix: chmod 0640 .* && chown root:/);
  });

  it("notes, without failing, that Courier's SMTP-time SPF checks are off, and passes them once bofh refuses an SPF fail", () => {
    const off = check();
    expect(off.status).toBe(0);
    expect(off.stdout).toMatch(/\nnote {4}\S+\/etc\/bofh: BOFHSPFMAILFROM is off: .*under our SPF; to refuse it, set: opt BOFHSPFMAILFROM=pass,none,neutral,softfail,unknown\n/);
    expect(off.stdout).toMatch(/\nnote {4}\S+\/etc\/bofh: BOFHSPFHELO is off: /);
    writeFileSync(path.join(tree.root, 'etc/bofh'), 'opt BOFHSPFMAILFROM=pass,none,neutral,softfail,unknown\nopt BOFHSPFHELO=pass,none,neutral,softfail,unknown\n');
    const on = check();
    expect(on.stdout).toMatch(/\nok {6}\S+\/etc\/bofh: opt BOFHSPFMAILFROM=pass,none,neutral,softfail,unknown refuses an SPF fail\n/);
    expect(on.stdout).not.toMatch(/BOFHSPF\w+ is off/);
  });

  it('notes, without failing, an active filter that is not running', async () => {
    await new Promise((resolve) => socket.close(resolve));
    socket = createServer();
    const run = check();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/note {4}the filter is active but .* is absent/);
  });

  it('--before-start notes a filter that is not active yet, and still fails on anything else', async () => {
    await new Promise((resolve) => socket.close(resolve));
    socket = createServer();
    unlinkSync(path.join(tree.root, 'etc/filters/active/srsfilter'));
    const beforeStart = () => srsctl(['check', '--config', tree.policyPath, '--before-start']);
    const run = beforeStart();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/note {4}the filter is not active yet: .* does not exist \(filterctl start srsfilter activates it\)\n/);
    expect(run.stdout).toMatch(/\nsrsctl check: no problems\n$/);
    chmodSync(tree.secretPath, 0o644);
    expect(beforeStart()).toMatchObject({ status: 1, stdout: expect.stringMatching(/PROBLEM secrets file .* is world-readable/) });
  });

  it("runs no courier-config when the policy's courier: keys give every path and the mail user", () => {
    writeFileSync(path.join(tree.root, 'bin/courier-config'), '#!/bin/sh\nexit 1\n');
    expect(check()).toMatchObject({ status: 1, stdout: expect.stringMatching(/PROBLEM courier-config failed/) });
    const id = (option: string) => execFileSync('id', [option], { encoding: 'utf8' }).trim();
    const at = (relative: string) => path.join(tree.root, relative);
    tree.writePolicy(
      `courier:\n  sysconfdir: ${at('etc')}\n  localstatedir: ${at('var')}\n  libexecdir: ${at('lib')}\n` +
        `  mailuser: ${id('-un')}\n  mailgroup: ${id('-gn')}\n`,
    );
    expect(check()).toMatchObject({ status: 0, stdout: expect.stringMatching(/\nsrsctl check: no problems\n$/) });
  });

  it('inspects the aliasdir file of the bounce prefix', () => {
    mkdirSync(path.join(tree.root, 'etc/aliasdir/.courier-srsbounce-default'));
    expect(check().stdout).toMatch(/ok {6}.*\.courier-srsbounce-default accepts bounces to the old srsbounce-… addresses/);
  });
});
