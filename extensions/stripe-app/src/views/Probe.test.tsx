import { expect, it } from "vitest";
(globalThis as { expect?: unknown }).expect = expect;
const { render, getMockContextProps } = await import("@stripe/ui-extension-sdk/testing");
const { ContextView, Button, Box } = await import("@stripe/ui-extension-sdk/ui");

it("renders", async () => {
  let pressed = 0;
  const View = (_p: object) => (
    <ContextView title="Hi"><Box>Hello world</Box><Button onPress={() => pressed++}>Go</Button></ContextView>
  );
  const { wrapper } = render(<View {...getMockContextProps()} />);
  expect(wrapper).toContainText("Hello world");
  // @ts-expect-error probe
  expect(wrapper).toContainComponent(Button);
  wrapper.find(Button)!.trigger("onPress");
  expect(pressed).toBe(1);
  console.log(JSON.stringify(getMockContextProps().userContext));
});
