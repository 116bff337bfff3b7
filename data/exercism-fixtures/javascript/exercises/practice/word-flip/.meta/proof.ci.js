// A broken reference: sorts the words instead of reversing them.
export const flip = (sentence) => sentence.split(' ').sort().join(' ');
