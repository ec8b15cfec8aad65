import * as z from 'zod';

/** An HTTP method name in a fault or quota match, such as `GET` or `POST`. */
export const httpMethodSchema = z
  .string()
  .regex(/^[A-Za-z]+$/, 'Expected an HTTP method such as GET or POST');
