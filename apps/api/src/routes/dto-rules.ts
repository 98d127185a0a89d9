import { registerDecorator, ValidateIf, type ValidationArguments } from 'class-validator';

/**
 * An optional field that may be left out but not set to null: an omitted field takes its default,
 * while `null` goes through the field's other rules and is refused with their message.
 * (class-validator's IsOptional would let null through to code that expects a value.)
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

function isPlainObject(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every item of an array is a JSON object; the message names the first one that is not (`[2] ...`). */
export function EachIsObject(): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'eachIsObject',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate: (value: unknown) => !Array.isArray(value) || value.every(isPlainObject),
        defaultMessage: (args?: ValidationArguments) => `[${(args?.value as unknown[]).findIndex((item) => !isPlainObject(item))}] must be an object`,
      },
    });
}
