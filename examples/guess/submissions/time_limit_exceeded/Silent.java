public class Silent {
    public static void main(String[] args) throws Exception {
        // never guesses: waits for input that never comes
        System.in.read();
    }
}
