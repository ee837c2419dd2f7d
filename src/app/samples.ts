import penguinsUrl from "../../datasets/penguins.json?url";

/** The bundled sample datasets, served from the app's own origin. */
export async function sampleFiles(): Promise<File[]> {
  const response = await fetch(penguinsUrl);
  if (!response.ok) throw new Error(`the sample dataset did not load: HTTP ${response.status}`);
  return [new File([await response.blob()], "penguins.json", { type: "application/json" })];
}
