// jest globalSetup: one line for each optional tool that is missing (optionalTools.ts).
import { OPTIONAL_TOOLS } from './optionalTools';

export default function optionalToolsNotice(): void {
  const outcome = process.env.CI ? 'CI is set: they run and fail' : 'they are skipped';
  for (const tool of OPTIONAL_TOOLS) {
    if (tool.installed()) continue;
    process.stdout.write(`\n${tool.what} is not installed: the tests that need it want \`${tool.install}\` (${outcome})\n`);
  }
}
