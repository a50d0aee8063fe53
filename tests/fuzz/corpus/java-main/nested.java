package a.b;
/* class Fake { public static void main(String[] a) {} } */
import java.util.*;
@SuppressWarnings("unchecked")
public class Outer {
        String s = "class Str { public static void main(String[] x) {} }";
        char c = '{';
        String block = """
                } public static void main(String[] y) {
                """;
        static class Inner {
                public static void main(final String... args) { new Object() { void f() {} }; }
        }
        interface I { static void main(String args[]) {} }
        enum E { A, B; public static void main(java.lang.String[] a) {} }
        record R(int record) { public static void main(String[] a) { int record = 1; } }
}
// @EXPECTED_RESULTS@: RUN-ERROR, wrong_answer
