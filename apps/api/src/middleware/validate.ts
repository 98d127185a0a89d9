import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { errors, type ErrorDetail } from '@export-service/errors';

/** class-validator's sentence without the property name it starts with. */
function problemOf(message: string, property: string): string {
  if (/^property .+ should not exist$/.test(message)) return 'is not a known field';
  if (message === 'an unknown value was passed to the validate function') return 'must be an object';
  const eachPrefix = `each value in ${property} `;
  if (message.startsWith(eachPrefix)) return `each value ${message.slice(eachPrefix.length)}`;
  if (message.startsWith(`${property} `)) return message.slice(property.length + 1);
  return message;
}

/** Flattens class-validator's tree into `{field: "data_sources[0].format", problem}` details. */
function toDetails(validationErrors: ValidationError[], parent = ''): ErrorDetail[] {
  return validationErrors.flatMap((error) => {
    const field = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => {
      const problem = problemOf(message, error.property);
      // Rules that check array items say which one first: `[2] must be an object`.
      const item = /^\[(\d+)\] (.*)$/.exec(problem);
      return item ? { field: `${field}[${item[1]}]`, problem: item[2] as string } : { field, problem };
    });
    return [...own, ...toDetails(error.children ?? [], field)];
  });
}

/** Validates a JSON body against a DTO class: every field checked, unknown fields refused, nothing coerced. */
export async function parseBody<T extends object>(dto: ClassConstructor<T>, body: unknown): Promise<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.validation([{ field: 'body', problem: 'must be a JSON object' }]);
  }
  const instance = plainToInstance(dto, body, { enableImplicitConversion: false, exposeDefaultValues: false });
  const found = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, validationError: { target: false, value: false } });
  if (found.length > 0) throw errors.validation(toDetails(found));
  return instance;
}
