import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';

export interface OpenApiOptions {
  title: string;
  description: string;
  /** The API's version (default `1`, the `/v1` of the paths). */
  version?: string;
  /**
   * Named schemas added to `components.schemas`, for request bodies generated from zod (see `jsonSchemaOf`) that
   * operations reference with `getSchemaPath(name)`.
   */
  schemas?: Record<string, SchemaObject>;
}

/** Where every app serves its OpenAPI UI; the document itself is at `/docs/openapi.json`. */
export const OPENAPI_PATH = 'docs';

/** The app's OpenAPI document: its controllers' routes and decorators, bearer auth, and `options.schemas`. */
export function openApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version ?? '1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  if (options.schemas) {
    const components = (document.components ??= {});
    components.schemas = { ...components.schemas, ...options.schemas };
  }
  return document;
}

/** Serves the app's OpenAPI UI at `/docs` and its document at `/docs/openapi.json` (built on first request). */
export function serveOpenApi(app: INestApplication, options: OpenApiOptions): void {
  SwaggerModule.setup(OPENAPI_PATH, app, () => openApiDocument(app, options), {
    jsonDocumentUrl: `${OPENAPI_PATH}/openapi.json`,
  });
}

/**
 * The OpenAPI 3.0 schema of what a zod schema accepts (its input: before transforms), so that a request body's
 * documentation is the validation itself. Refinements that JSON Schema cannot express are left out.
 */
export function jsonSchemaOf(schema: z.ZodType): SchemaObject {
  return z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' }) as SchemaObject;
}
