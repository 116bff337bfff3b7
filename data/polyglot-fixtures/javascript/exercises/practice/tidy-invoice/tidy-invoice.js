// Works, but is hard to read: refactor it without changing what it returns.
export function total(items) {
  var t = 0;
  for (var i = 0; i < items.length; i++) { t = t + items[i].price * items[i].quantity; }
  return Math.round(t * 100) / 100;
}
