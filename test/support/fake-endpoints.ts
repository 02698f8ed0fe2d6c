import type { CreateModelInput } from '@aws-sdk/client-sagemaker';
import type { EndpointBackend, EndpointDescription, ScoringBackend, StartResult } from '../../lib/ports';
import { awsFixture } from './aws-fixtures';
import { BotocoreValidator } from './botocore-validator';

const SHAPES = awsFixture('api', 'sagemaker-evaluate-predict-serve-shapes.botocore.json');

/**
 * SageMaker hosting in memory: validates every request against the service
 * model's shapes, keeps configs and endpoints, and moves an endpoint to
 * InService only when the test says so (`settle`), as SageMaker does minutes later.
 */
export class FakeEndpoints implements EndpointBackend, Pick<ScoringBackend, 'createModel'> {
  readonly models = new Map<string, CreateModelInput>();
  readonly configs = new Map<string, unknown>();
  readonly endpoints = new Map<string, EndpointDescription>();
  readonly calls: string[] = [];
  private readonly validator = new BotocoreValidator(SHAPES);

  /**
   * @param modelExists where SageMaker's models live when another fake (the
   * local scorer) made them; by default, the models created through this one.
   */
  constructor(private readonly modelExists?: (name: string) => boolean) {}

  private check(shape: string, request: unknown): void {
    const problems = this.validator.validate(shape, request);
    if (problems.length > 0) throw new Error(`invalid ${shape}: ${problems.join('; ')}`);
  }

  async createModel(request: CreateModelInput): Promise<StartResult> {
    this.check('CreateModelInput', request);
    this.calls.push(`CreateModel ${request.ModelName}`);
    const name = request.ModelName as string;
    if (this.models.has(name)) return 'already-exists';
    this.models.set(name, request);
    return 'started';
  }

  async describeEndpoint(name: string) {
    this.check('DescribeEndpointInput', { EndpointName: name });
    this.calls.push(`DescribeEndpoint ${name}`);
    const found = this.endpoints.get(name);
    return found ? { ...found } : undefined;
  }

  async createEndpointConfig(
    request: Parameters<EndpointBackend['createEndpointConfig']>[0],
  ): Promise<StartResult> {
    this.check('CreateEndpointConfigInput', request);
    this.calls.push(`CreateEndpointConfig ${request.EndpointConfigName}`);
    const name = request.EndpointConfigName as string;
    if (this.configs.has(name)) return 'already-exists';
    this.configs.set(name, request);
    return 'started';
  }

  async createEndpoint(request: Parameters<EndpointBackend['createEndpoint']>[0]): Promise<StartResult> {
    this.check('CreateEndpointInput', request);
    this.calls.push(`CreateEndpoint ${request.EndpointName}`);
    const name = request.EndpointName as string;
    if (this.endpoints.has(name)) return 'already-exists';
    if (!this.configs.has(request.EndpointConfigName as string))
      throw new Error('Could not find endpoint configuration');
    const model = (
      this.configs.get(request.EndpointConfigName as string) as {
        ProductionVariants: { ModelName: string }[];
      }
    ).ProductionVariants[0]?.ModelName;
    const exists = this.modelExists ?? ((name: string) => this.models.has(name));
    if (!exists(model ?? '')) throw new Error(`Could not find model "${model}"`);
    this.endpoints.set(name, { status: 'Creating', configName: request.EndpointConfigName as string });
    return 'started';
  }

  async updateEndpoint(request: Parameters<EndpointBackend['updateEndpoint']>[0]): Promise<void> {
    this.check('UpdateEndpointInput', request);
    this.calls.push(`UpdateEndpoint ${request.EndpointName} -> ${request.EndpointConfigName}`);
    const current = this.endpoints.get(request.EndpointName as string);
    if (!current) throw new Error('Could not find endpoint');
    // SageMaker accepts only DeleteEndpoint on a Failed endpoint, and no update while one runs.
    if (current.status !== 'InService') {
      throw new Error(`Cannot update endpoint in status ${current.status}`);
    }
    if (!this.configs.has(request.EndpointConfigName as string))
      throw new Error('Could not find endpoint configuration');
    this.endpoints.set(request.EndpointName as string, {
      status: 'Updating',
      configName: request.EndpointConfigName as string,
    });
  }

  async deleteEndpoint(name: string): Promise<void> {
    this.check('DeleteEndpointInput', { EndpointName: name });
    this.calls.push(`DeleteEndpoint ${name}`);
    this.endpoints.delete(name);
  }

  async deleteEndpointConfig(name: string): Promise<void> {
    this.check('DeleteEndpointConfigInput', { EndpointConfigName: name });
    this.calls.push(`DeleteEndpointConfig ${name}`);
    const inUse = [...this.endpoints.values()].some((e) => e.configName === name);
    if (inUse) throw new Error(`config ${name} is still in use`);
    this.configs.delete(name);
  }

  /** SageMaker finishes the change under way. */
  settle(name: string, status: 'InService' | 'Failed' = 'InService', failureReason?: string): void {
    const current = this.endpoints.get(name);
    if (!current) throw new Error(`no endpoint ${name}`);
    this.endpoints.set(name, {
      status,
      configName: current.configName,
      ...(failureReason ? { failureReason } : {}),
    });
  }

  /** An UpdateEndpoint that SageMaker could not finish: back in service on `previousConfig`, with the reason. */
  failUpdate(name: string, previousConfig: string, failureReason: string): void {
    this.endpoints.set(name, { status: 'InService', configName: previousConfig, failureReason });
  }
}
