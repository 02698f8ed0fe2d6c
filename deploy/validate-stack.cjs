'use strict';
// A serverless plugin: `sls package` and `sls deploy` refuse params the
// functions would refuse at run time, and stage names that would make invalid
// or over-long AWS names, before anything is built or deployed. The checks are
// the functions' own (lib/settings), loaded through tsx.
const { require: requireTs } = require('tsx/cjs/api');

/** The resolved environment as text; intrinsic functions (objects) are not params and are left out. */
function textEnvironment(environment) {
  const env = {};
  for (const [name, value] of Object.entries(environment ?? {})) {
    if (value === null || typeof value === 'object') continue;
    env[name] = String(value);
  }
  return env;
}

class ValidateStack {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:cleanup': () => this.validate() };
  }

  validate() {
    const { stackParamProblems } = requireTs('../lib/settings/config.ts', __filename);
    const { stageNameProblems } = requireTs('../lib/settings/stage.ts', __filename);
    const service = this.serverless.service;
    const functions = service.getAllFunctions().map((name) => service.getFunction(name));
    const rules = functions.flatMap((fn) =>
      (fn.events ?? []).map((event) => event.eventBridge?.name).filter((name) => typeof name === 'string'),
    );
    const problems = [
      ...stackParamProblems(textEnvironment(service.provider.environment)),
      ...stageNameProblems({
        service: service.service,
        stage: service.provider.stage,
        region: service.provider.region,
        functions: functions.map((fn) => fn.name),
        rules,
      }),
    ];
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(
        `sagedrop refuses these params or this stage (nothing was packaged or deployed):\n  - ${problems.join('\n  - ')}`,
      );
    }
  }
}

module.exports = ValidateStack;
