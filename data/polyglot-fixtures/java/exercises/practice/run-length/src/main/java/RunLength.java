class RunLength {

    String encode(String data) {
        throw new UnsupportedOperationException("Delete this statement and write your own implementation.");
    }
}
