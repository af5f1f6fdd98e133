export * from './qingtui.error.js';
export * from './qingtui-config.error.js';
export * from './qingtui-api.error.js';
export * from './qingtui-validation.error.js';
export * from './qingtui-store.error.js';
export * from './qingtui-outcome-unknown.error.js';
