export * from './commands'
export * from './errors'
export type * from './types.gen'
