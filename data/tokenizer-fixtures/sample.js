// Run-length encoding, written for the hrm tokenizer tests.
'use strict';

function encode(text) {
  let out = '';
  for (let i = 0; i < text.length; ) {
    let j = i;
    while (j < text.length && text[j] === text[i]) j++;
    out += (j - i > 1 ? String(j - i) : '') + text[i];
    i = j;
  }
  return out;
}

const decode = (text) =>
  text.replace(/(\d+)(\D)/g, (_, n, ch) => ch.repeat(Number(n)));

module.exports = { encode, decode };

if (require.main === module) {
  const s = 'WWWWWWWWWWWWBWWWWWWWWWWWWBBBWWWWWWWWWWWWWWWWWWWWWWWWBWWWWWWWWWWWWWW';
  console.log(encode(s), decode(encode(s)) === s);
}
