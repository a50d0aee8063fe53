{{/* SPDX-License-Identifier: MIT */}}
{{/* The selector labels: the same as deploy/k8s, so both select the same pods. */}}
{{- define "grader.selectorLabels" -}}
app.kubernetes.io/name: grader
{{- end }}

{{- define "grader.labels" -}}
app.kubernetes.io/name: grader
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* GET /queues of the site, for KEDA: {api_url}/queues?queues=... */}}
{{- define "grader.queuesURL" -}}
{{ .Values.config.GRADER_API_URL }}/queues?queues={{ .Values.config.GRADER_QUEUES }}
{{- end }}
