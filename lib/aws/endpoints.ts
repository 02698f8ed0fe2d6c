import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  type CreateEndpointConfigInput,
  type CreateEndpointInput,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DescribeEndpointCommand,
  type SageMakerClient,
  UpdateEndpointCommand,
  type UpdateEndpointInput,
} from '@aws-sdk/client-sagemaker';
import type { EndpointBackend, EndpointDescription, StartResult } from '../ports';

const errorName = (error: unknown) => (error instanceof Error ? error.name : undefined);
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** SageMaker answers a missing endpoint or config with a ValidationException "Could not find ...". */
function isMissing(error: unknown): boolean {
  return (
    errorName(error) === 'ResourceNotFound' ||
    (errorName(error) === 'ValidationException' && /could not find/i.test(errorMessage(error)))
  );
}

/** SageMaker answers a name in use with ResourceInUse or a ValidationException "Cannot create already existing ...". */
function isInUse(error: unknown): boolean {
  return (
    errorName(error) === 'ResourceInUse' ||
    (errorName(error) === 'ValidationException' && /already exist/i.test(errorMessage(error)))
  );
}

async function create(send: () => Promise<unknown>): Promise<StartResult> {
  try {
    await send();
    return 'started';
  } catch (error) {
    if (isInUse(error)) return 'already-exists';
    throw error;
  }
}

async function remove(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** SageMaker hosting as an `EndpointBackend` (creates idempotent by name, deletes of what is gone succeed). */
export function createSageMakerEndpoints(client: SageMakerClient): EndpointBackend {
  return {
    async describeEndpoint(name: string): Promise<EndpointDescription | undefined> {
      try {
        const out = await client.send(new DescribeEndpointCommand({ EndpointName: name }));
        return {
          status: out.EndpointStatus ?? 'Unknown',
          configName: out.EndpointConfigName ?? '',
          ...(out.FailureReason ? { failureReason: out.FailureReason } : {}),
        };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    createEndpointConfig: (request: CreateEndpointConfigInput) =>
      create(() => client.send(new CreateEndpointConfigCommand(request))),
    createEndpoint: (request: CreateEndpointInput) =>
      create(() => client.send(new CreateEndpointCommand(request))),
    async updateEndpoint(request: UpdateEndpointInput): Promise<void> {
      await client.send(new UpdateEndpointCommand(request));
    },
    deleteEndpoint: (name: string) =>
      remove(() => client.send(new DeleteEndpointCommand({ EndpointName: name }))),
    deleteEndpointConfig: (name: string) =>
      remove(() => client.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }))),
  };
}
