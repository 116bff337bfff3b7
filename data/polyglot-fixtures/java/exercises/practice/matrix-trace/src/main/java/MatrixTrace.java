class MatrixTrace {

    static int trace(int[][] matrix) {
        throw new UnsupportedOperationException("Delete this statement and write your own implementation.");
    }
}
