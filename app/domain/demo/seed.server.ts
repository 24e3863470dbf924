// Replaced by the demo data generator.
export async function seedDemoOnFirstBoot(_opts: { enabled: boolean; appUrl: string }): Promise<string | null> {
  return null;
}
