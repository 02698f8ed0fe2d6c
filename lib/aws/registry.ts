import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  type SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type { ModelPackageInput, ModelRegistry } from '../ports';

/** The content type sagedrop's models are trained on and answer in. */
const CSV = 'text/csv';
/** SageMaker's limit on descriptions. */
const MAX_DESCRIPTION = 1024;

/** SageMaker refused to register a model. Retryable unless the cause says otherwise. */
export class ModelRegistrationError extends Error {
  override readonly name = 'ModelRegistrationError';
}

function groupAlreadyExists(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  if (e?.name === 'ResourceInUse' || e?.name === 'ConflictException') return true;
  return e?.name === 'ValidationException' && /already exists/i.test(e.message ?? '');
}

/** Tag and metadata values allow letters, digits, spaces and `_.:/=+-@`, up to 256 characters. */
export function tagSafe(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

function safeRecord(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, tagSafe(v)]));
}

const toTags = (tags: Record<string, string>) =>
  Object.entries(safeRecord(tags)).map(([Key, Value]) => ({ Key, Value }));

/**
 * SageMaker Model Registry over `client`: creates the dataset's model package
 * group the first time, then one model package version per job, pending
 * manual approval. Idempotent through `clientToken`.
 */
export function createSageMakerRegistry(client: SageMakerClient): ModelRegistry {
  const knownGroups = new Set<string>();

  async function ensureGroup(input: ModelPackageInput): Promise<void> {
    if (knownGroups.has(input.groupName)) return;
    const dataset = input.tags['sagedrop:dataset'];
    try {
      await client.send(
        new CreateModelPackageGroupCommand({
          ModelPackageGroupName: input.groupName,
          ModelPackageGroupDescription: `sagedrop models${dataset ? ` of dataset "${dataset}"` : ''}`.slice(
            0,
            MAX_DESCRIPTION,
          ),
          Tags: toTags(Object.fromEntries(Object.entries(input.tags).filter(([k]) => k !== 'sagedrop:job'))),
        }),
      );
    } catch (error) {
      if (!groupAlreadyExists(error)) {
        throw new ModelRegistrationError(
          `Could not create model package group ${input.groupName}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    knownGroups.add(input.groupName);
  }

  return {
    async register(input) {
      await ensureGroup(input);
      try {
        const response = await client.send(
          new CreateModelPackageCommand({
            ModelPackageGroupName: input.groupName,
            ModelPackageDescription: input.description.slice(0, MAX_DESCRIPTION),
            ModelApprovalStatus: 'PendingManualApproval',
            ClientToken: input.clientToken,
            InferenceSpecification: {
              Containers: [{ Image: input.image, ModelDataUrl: input.modelDataUrl }],
              SupportedContentTypes: [CSV],
              SupportedResponseMIMETypes: [CSV],
            },
            // Versioned packages take their tags from the group; the rest goes here.
            CustomerMetadataProperties: safeRecord(input.tags),
            // UpdateModelPackage cannot add metrics later: the report is named now and written by the evaluation.
            ...(input.evaluationUri
              ? {
                  ModelMetrics: {
                    ModelQuality: {
                      Statistics: { ContentType: 'application/json', S3Uri: input.evaluationUri },
                    },
                  },
                }
              : {}),
          }),
        );
        if (!response?.ModelPackageArn) throw new Error('the response has no ModelPackageArn');
        return response.ModelPackageArn;
      } catch (error) {
        // The group may have been deleted since: the retry creates it again.
        knownGroups.delete(input.groupName);
        throw new ModelRegistrationError(
          `Could not register the model ${input.modelDataUrl} in ${input.groupName}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
    async setApproval(modelPackageArn, status, description) {
      await client.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: modelPackageArn,
          ModelApprovalStatus: status,
          ApprovalDescription: description.slice(0, MAX_DESCRIPTION),
        }),
      );
    },
  };
}
