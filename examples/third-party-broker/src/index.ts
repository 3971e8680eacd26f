import { AcmeBroker } from './acme-broker.js';

export { AcmeBroker, AcmeConfig } from './acme-broker.js';
/** The plugin's definitions: decorated classes are accepted by the registry as they are. */
export default [AcmeBroker];
