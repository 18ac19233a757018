export {
  loadCourierDomains,
  loadDecisionRuntime,
  loadPolicySrs,
  type CourierDomains,
  type DecisionRuntime,
  type Loaded,
  type PolicySrs,
  type RuntimeOptions,
  type SecretsPermissions,
} from './loadRuntime';
