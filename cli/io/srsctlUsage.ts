/** `srsctl help`; also what `--help` and a bad option print, on stdout as Debian's `srs` does. */
export const SRSCTL_USAGE = `Usage:
  srsctl forward ADDRESS... [--alias DOMAIN]   rewrite senders to SRS (prints one address per line)
  srsctl reverse ADDRESS...                    recover the original address of SRS0/SRS1 addresses
  srsctl explain SENDER RECIPIENT [--original-recipient R] [--source smtp|authsmtp|local]
                                               what the running filter would do with such a message
  srsctl check [--before-start]                check the policy, the secrets file and Courier's set-up
                                               (--before-start: a filter not yet started is only noted)
  srsctl genkey [--output FILE [--group G]]   print (or create FILE, mode 0640, of group G, with) a new secret:
                                               32 random bytes, base64
  srsctl reload [--config FILE] [--name NAME]  make the running filter read its policy and secrets again and
                                               print its verdict: applied (what changed) or refused (why);
                                               exit 0 only when applied, 3 when no filter runs
  srsctl status [--config FILE] [--name NAME]  whether the filter runs: pid, uptime, policy, secrets, decisions
                                               since start; exit 0 when running, 3 when not
  srsctl policy init --srs-domain DOMAIN       print the shipped policy with this srs-domain (install.sh writes it)
  srsctl policy get KEY [--config FILE]        print one key's value as the filter reads it, defaults applied
                                               (a list: one line per entry; no value: nothing)
  srsctl courier get FIELD...                  print courier-config's FIELD (sysconfdir, localstatedir, libexecdir,
                                               bindir, sbindir, mailuser, mailgroup), one line each
  srsctl courier alias-files                   print the aliasdir files that accept bounces to SRS0-/SRS1- addresses
                                               (install.sh writes them)
  srsctl help                                  this text

  forward, reverse and explain use the installed policy (its secrets, srs-domain, hash-length,
  separator …) unless --secret or --secretfile is given:
    --config FILE        the policy (default /etc/courier/srsfilter.yaml); also for check, reload
                         and status (which find the filter under its Courier localstatedir)
    --name NAME          reload and status: the filter's name, as filterctl started it (default srsfilter)
    --secret S           a secret; repeat for more (the first signs, all verify)
    --secretfile F       one secret per line, read as Debian's srs reads it: the line ending is
                         part of the key (genkey writes none, so every SRS tool agrees)
    --alias DOMAIN       SRS domain of forwarded addresses (default: the policy's srs-domain)
    --hashlength N       hash characters (default 4, or the policy's hash-length)
    --separator C        = + or - after SRS0/SRS1 (default =, or the policy's separator)

Debian srs compatible form (same options, output and exit status as /usr/bin/srs):
  srsctl [--forward|--reverse] [--alias DOMAIN] [--secret S]... [--secretfile F]
         [--hashlength N] [--separator C] [--address A]... [ADDRESS...]
`;
