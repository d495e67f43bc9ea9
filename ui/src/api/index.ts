export * from './commands'
export * from './errors'
export * from './errorCodes.gen'
export type * from './types.gen'
