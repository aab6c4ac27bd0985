export * from './states.ts';
export * from './model.ts';
export * from './guards.ts';
export * from './transitions.ts';
export * from './provider.ts';
export * from './cycle.ts';
export * from './messages.ts';
export * from './questions.ts';
