import { BlockStack, Card, Text } from "@shopify/polaris";
import type { LearningView } from "~/contracts/dashboard/settings-page.server";
import { hourLabel, SettingsSection } from "./SettingsForm";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function ordinal(day: number): string {
  const tens = day % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[day % 10] ?? "th";
  return `${day}${suffix}`;
}

const retries = (n: number) => (n === 1 ? "1 retry" : `${n.toLocaleString("en-US")} retries`);

/** Best customer-local hours and days, in words; none when nothing stands out. */
function bestTimes(learning: LearningView): string[] {
  const lines: string[] = [];
  if (learning.bestHours.length) lines.push(`Best hours (the customer's time): ${learning.bestHours.map(hourLabel).join(", ")}.`);
  if (learning.bestWeekdays.length) lines.push(`Best days of the week: ${learning.bestWeekdays.map((d) => WEEKDAYS[d]).join(", ")}.`);
  if (learning.bestDaysOfMonth.length) lines.push(`Best days of the month: the ${learning.bestDaysOfMonth.map(ordinal).join(", ")}.`);
  return lines;
}

/**
 * "What Recoup learned from your retries" (ADR 0050): how many of the workspace's own retries were
 * counted, whether the policy still runs on its defaults, and the hours and days that did best.
 */
export function LearningSection({ learning }: { learning: LearningView }) {
  const times = bestTimes(learning);
  return (
    <SettingsSection
      id="retry-learning"
      title="What Recoup learned from your retries"
      description="Recoup counts which of its retries won payments back, by the customer's hour, weekday and day of the month, and times later retries by it. Updated every night from the last 180 days."
    >
      <Card>
        <BlockStack gap="200">
          {learning.attempts === 0 ? (
            <Text as="p">Nothing yet: once Recoup has retried payments for you, it counts which hours and days win them back.</Text>
          ) : learning.needed > 0 ? (
            <Text as="p">
              {`${retries(learning.attempts)} counted. Recoup uses its defaults until it has ${retries(learning.attempts + learning.needed)} to learn from: it needs ${learning.needed.toLocaleString("en-US")} more.`}
            </Text>
          ) : (
            <>
              <Text as="p">{`${retries(learning.attempts)} counted: Recoup times retries by what they taught.`}</Text>
              {times.length ? (
                times.map((line) => (
                  <Text as="p" key={line}>
                    {line}
                  </Text>
                ))
              ) : (
                <Text as="p">No hour or day stands out yet: retries keep their default times.</Text>
              )}
            </>
          )}
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}
