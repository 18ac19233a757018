import { runCourier } from '../../../../cli/commands/courier';
import { STATUS } from '../../../../cli/io/exitStatus';
import { captureIo } from '../captureIo';

async function run(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = captureIo();
  const status = await runCourier(args, io);
  return { status, out: io.out(), err: io.err() };
}

describe('srsctl courier alias-files', () => {
  it('names the aliasdir files for bounces to SRS0- and SRS1- addresses, in either case, one per line', async () => {
    expect(await run('alias-files')).toEqual({
      status: STATUS.ok,
      out: '.courier-SRS0-default\n.courier-SRS1-default\n.courier-srs0-default\n.courier-srs1-default\n',
      err: '',
    });
  });

  it.each([[['alias-files', 'x']]])('is a usage error: %j (exit 2)', async (args) => {
    expect(await run(...args)).toMatchObject({ status: STATUS.usage, out: '' });
  });
});

/** courier-config itself is asked in test/integration/install (srsctl courier get, compiled, with a fake courier-config on PATH). */
describe('srsctl courier get', () => {
  it.each([[['get']], [['get', 'prefix']], [['get', 'sysconfdir', 'configure_args']]])('is a usage error: %j (exit 2)', async (args) => {
    expect(await run(...args)).toMatchObject({ status: STATUS.usage, out: '' });
  });
});

describe('srsctl courier', () => {
  it.each([[[]], [['alias-file']], [['set', 'sysconfdir']]])('is a usage error: %j (exit 2)', async (args) => {
    expect(await run(...args)).toMatchObject({ status: STATUS.usage, out: '' });
  });
});
