import type { LoaderFunctionArgs } from "@remix-run/node";
import { recordOpen } from "~/domain/dunning/messages.server";
import { log } from "~/utils/logger.server";

// GET /e/o/<trackingId>.gif: the open pixel in every dunning email.
const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

export async function loader({ params }: LoaderFunctionArgs) {
  // The image is answered whatever happens: a mail client showing a broken image helps nobody.
  await recordOpen(params.trackingId ?? "").catch((error) => log.warn("could not record an email open", { error }));
  return new Response(PIXEL, {
    headers: {
      "Content-Type": "image/gif",
      "Content-Length": String(PIXEL.length),
      // Every fetch must reach us: an open served from a cache is an open we never see.
      "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0, private",
      Pragma: "no-cache",
      Expires: "0",
    },
  });
}
