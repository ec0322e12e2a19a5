// formulon ships no type declarations; this is the part of its API we use.
declare module 'formulon' {
  export type DataType = 'checkbox' | 'text' | 'number' | 'date' | 'datetime' | 'time' | 'geolocation' | 'null' | 'picklist' | 'multipicklist';
  export interface Literal {
    type: 'literal';
    value: unknown;
    dataType: DataType;
    options?: Record<string, unknown>;
  }
  export interface FormulaError {
    type: 'error';
    errorType: string;
    message: string;
    [key: string]: unknown;
  }
  export function parse(formula: string, substitutions?: Record<string, Literal>): Literal | FormulaError;
  export function extract(formula: string): string[];
  export function ast(formula: string): unknown;
  export function toString(ast: unknown): string;
}
