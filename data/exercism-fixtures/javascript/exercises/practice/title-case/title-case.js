export const titleCase = (text) => {
  throw new Error('Remove this statement and implement this function');
};
