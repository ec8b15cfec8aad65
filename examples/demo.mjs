// `npm run demo`: the fault workload (examples/faultsDemo.mjs): many tenants, injected faults, three clients
// side by side. `npm run demo -- sweep`: one sweep over 2,000 customers, killed and resumed
// (examples/sweepDemo.mjs). Each file says its options.
if (process.argv[2] === 'sweep') await import('./sweepDemo.mjs');
else await import('./faultsDemo.mjs');
