export function renderDocument(result) {
  return JSON.stringify(result);
}
