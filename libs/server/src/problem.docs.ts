import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, PROBLEM_TYPE_BASE } from './problem';

// The error body's shape for the OpenAPI documents of every app; the answers themselves are built by ProblemError.

export class FieldErrorDoc {
  @ApiProperty({ example: 'granularity', description: 'the query or path parameter, body field or header' })
  field!: string;
  @ApiProperty({ example: 'one of 1m, 5m, 15m, 1h, 1d' }) message!: string;
}

const TYPES = Object.keys(PROBLEM_KINDS).join(', ');

/** Every error answer (`application/problem+json`, RFC 9457); the types are listed in the README's "Errors". */
export class ProblemDoc {
  @ApiProperty({
    example: 'https://clicks.example.com/problems/invalid-parameter',
    description: `${PROBLEM_TYPE_BASE} followed by one of: ${TYPES}`,
  })
  type!: string;
  @ApiProperty({ example: 'Invalid parameter' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'granularity: one of 1m, 5m, 15m, 1h, 1d' }) detail!: string;
  @ApiPropertyOptional({ type: [FieldErrorDoc], description: 'the fields at fault, when there are any' })
  errors?: FieldErrorDoc[];
}

/** One error answer of an operation: its status and when it is given. */
export type ProblemAnswerDoc = [status: number, description: string];

/** The error answers of an operation, each a ProblemDoc served as application/problem+json. */
export const ApiProblems = (...answers: ProblemAnswerDoc[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDoc),
    ...answers.map(([status, description]) =>
      ApiResponse({
        status,
        description,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDoc) } } },
      }),
    ),
  );
