// Three projects mirror test/: unit and integration run on every `npm test`;
// e2e needs a real Courier (set up by .ci/run) and runs on its own.
const project = (name, extra = {}) => ({
  displayName: name,
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  ...extra,
});

module.exports = {
  projects: [project('unit'), project('integration'), project('e2e')],
  // says once what to install when the Perl SRS reference is missing (its tests then skip)
  globalSetup: '<rootDir>/test/support/optionalToolsNotice.ts',
};
