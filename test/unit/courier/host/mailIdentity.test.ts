import { execFileSync } from 'node:child_process';
import { resolveMailIdentity, type RunLookup } from '../../../../lib/courier/host/mailIdentity';

/** Answers as Debian's id and getent do for courier-mta's user and group. */
const debian: RunLookup = async (command, args) => {
  const key = `${command} ${args.join(' ')}`;
  const answers: Record<string, string> = {
    'id -u -- courier': '103\n',
    'id -G -- courier': '106 8\n',
    'getent group -- courier': 'courier:x:106:\n',
  };
  const answer = answers[key];
  if (answer === undefined) throw Object.assign(new Error(`${command} failed`), { code: 2 });
  return answer;
};

describe('resolveMailIdentity', () => {
  it('numbers the mail user, its groups and the mail group', async () => {
    expect(await resolveMailIdentity('courier', 'courier', debian)).toEqual({
      ok: true,
      value: { user: 'courier', uid: 103, gids: [106, 8], group: 'courier', gid: 106 },
    });
  });

  it('names what is unknown', async () => {
    expect(await resolveMailIdentity('mail', 'courier', debian)).toEqual({ ok: false, error: { code: 'unknown-user', message: 'the mail user mail is unknown on this system' } });
    expect(await resolveMailIdentity('courier', 'mail', debian)).toEqual({ ok: false, error: { code: 'unknown-group', message: 'the mail group mail is unknown on this system' } });
  });

  it('refuses output that is no number', async () => {
    const garbled: RunLookup = async (command, args) => (command === 'id' && args[0] === '-u' ? 'courier\n' : debian(command, args));
    expect(await resolveMailIdentity('courier', 'courier', garbled)).toMatchObject({ ok: false });
  });

  it('asks the system by default', async () => {
    const me = (option: string) => execFileSync('id', [option], { encoding: 'utf8' }).trim();
    expect(await resolveMailIdentity(me('-un'), me('-gn'))).toEqual({
      ok: true,
      value: { user: me('-un'), uid: Number(me('-u')), gids: me('-G').split(' ').map(Number), group: me('-gn'), gid: Number(me('-g')) },
    });
  });
});
