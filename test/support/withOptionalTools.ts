// describe/it for tests that need an optional tool (optionalTools.ts): skipped without it, unless CI is set.
import { PERL_SRS_TOOL, REDIS_TOOL, type OptionalTool } from './optionalTools';

const runs = (tool: OptionalTool): boolean => Boolean(process.env.CI) || tool.installed();

const describeWith = (tool: OptionalTool): jest.Describe => (runs(tool) ? describe : describe.skip);
const itWith = (tool: OptionalTool): jest.It => (runs(tool) ? it : it.skip);

export const describeWithPerlSrs = describeWith(PERL_SRS_TOOL);
export const itWithPerlSrs = itWith(PERL_SRS_TOOL);
export const describeWithRedis = describeWith(REDIS_TOOL);
