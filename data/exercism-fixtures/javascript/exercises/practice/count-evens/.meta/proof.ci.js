export const countEvens = (numbers) => {
  let count = 0;
  for (const n of numbers) {
    if (n % 2 === 0) {
      count += 1;
    }
  }
  return count;
};
