export const isLeap = (year) => {
  throw new Error('Remove this statement and implement this function');
};
