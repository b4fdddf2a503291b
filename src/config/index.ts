export { loadConfig, isValidTimeZone, timeZoneSchema, type Config, type StoreConfig, type SlackConfig } from './env.js';
export { readYamlFile, parseYamlText, formatProblem, fieldName, configError, type ConfigProblem, type LocatedYaml } from './yaml-file.js';
