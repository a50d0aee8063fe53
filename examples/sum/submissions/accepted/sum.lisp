;;; sum: accepted. Common Lisp integers are unbounded (bignums past the fixnum range). Lines are
;;; read with read-line and parse-integer (the Lisp reader is slower), and the output goes
;;; through one string stream.
(defun main ()
  (let ((n (parse-integer (read-line))))
    (write-string
     (with-output-to-string (out)
       (dotimes (i n)
         (let* ((line (read-line))
                (space (position #\Space line)))
           (multiple-value-bind (a end) (parse-integer line :end space)
             (declare (ignore end))
             (let ((b (parse-integer line :start (1+ space))))
               (princ (+ a b) out)
               (terpri out)))))))))

(main)
