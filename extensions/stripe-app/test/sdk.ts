// The SDK's testing utilities, made to run under vitest: import them from here, not from the SDK.
import "./expect-global";

export * from "@stripe/ui-extension-sdk/testing";

// The SDK declares its matchers on Jest's `jest.Matchers`; vitest reads its own interface.
declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars -- must repeat vitest's declaration exactly to merge with it
  interface Matchers<T = any> {
    toContainText(text: string): void;
    toContainComponent(type: unknown, props?: Record<string, unknown>): void;
    toContainComponentTimes(type: unknown, times: number, props?: Record<string, unknown>): void;
    toHaveProps(props: Record<string, unknown>): void;
  }
}
