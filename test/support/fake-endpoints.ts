import type { EndpointBackend, EndpointDescription, StartResult } from '../../lib/ports';
import { awsFixture } from './aws-fixtures';
import { BotocoreValidator } from './botocore-validator';

const SHAPES = awsFixture('api', 'sagemaker-evaluate-predict-serve-shapes.botocore.json');

/**
 * SageMaker hosting in memory: validates every request against the service
 * model's shapes, keeps configs and endpoints, and moves an endpoint to
 * InService only when the test says so (`settle`), as SageMaker does minutes later.
 */
export class FakeEndpoints implements EndpointBackend {
  readonly configs = new Map<string, unknown>();
  readonly endpoints = new Map<string, EndpointDescription>();
  readonly calls: string[] = [];
  private readonly validator = new BotocoreValidator(SHAPES);

  private check(shape: string, request: unknown): void {
    const problems = this.validator.validate(shape, request);
    if (problems.length > 0) throw new Error(`invalid ${shape}: ${problems.join('; ')}`);
  }

  async describeEndpoint(name: string) {
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
    this.endpoints.set(name, { status: 'Creating', configName: request.EndpointConfigName as string });
    return 'started';
  }

  async updateEndpoint(request: Parameters<EndpointBackend['updateEndpoint']>[0]): Promise<void> {
    this.check('UpdateEndpointInput', request);
    this.calls.push(`UpdateEndpoint ${request.EndpointName} -> ${request.EndpointConfigName}`);
    const current = this.endpoints.get(request.EndpointName as string);
    if (!current) throw new Error('Could not find endpoint');
    if (current.status !== 'InService' && current.status !== 'Failed') {
      throw new Error(`Cannot update in-progress endpoint (${current.status})`);
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
    this.endpoints.set(name, { ...current, status, ...(failureReason ? { failureReason } : {}) });
  }
}
