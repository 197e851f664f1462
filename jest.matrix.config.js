/** The consumer matrix (test/matrix/*.matrix.ts): `npm run test:matrix`; CI runs it after `npm test`. */
const base = require('./jest.config.js');

module.exports = { ...base, roots: ['<rootDir>/test/matrix'], testMatch: ['**/*.matrix.ts'], testTimeout: 600000 };
