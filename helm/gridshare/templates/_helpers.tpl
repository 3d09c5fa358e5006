{{/*
The chart name, overridable with nameOverride. Truncated to 63 characters: the DNS label limit.
*/}}
{{- define "gridshare.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The resource name prefix. Leaves room for the longest suffix we add ("-gateway-hazelcast", 18
characters) within the 63-character limit.
*/}}
{{- define "gridshare.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gridshare.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource. Selector labels are a subset and never change across upgrades
(a StatefulSet's or DaemonSet's selector is immutable).
*/}}
{{- define "gridshare.labels" -}}
helm.sh/chart: {{ include "gridshare.chart" . }}
app.kubernetes.io/name: {{ include "gridshare.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gridshare
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "gridshare.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gridshare.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Gateway names and labels. */}}
{{- define "gridshare.gateway.fullname" -}}
{{- printf "%s-gateway" (include "gridshare.fullname" .) }}
{{- end }}

{{- define "gridshare.gateway.headlessName" -}}
{{- printf "%s-gateway-hazelcast" (include "gridshare.fullname" .) }}
{{- end }}

{{- define "gridshare.gateway.httpServiceName" -}}
{{- printf "%s-gateway-http" (include "gridshare.fullname" .) }}
{{- end }}

{{- define "gridshare.gateway.grpcServiceName" -}}
{{- printf "%s-gateway-grpc" (include "gridshare.fullname" .) }}
{{- end }}

{{- define "gridshare.gateway.labels" -}}
{{ include "gridshare.labels" . }}
app.kubernetes.io/component: gateway
{{- end }}

{{- define "gridshare.gateway.selectorLabels" -}}
{{ include "gridshare.selectorLabels" . }}
app.kubernetes.io/component: gateway
{{- end }}

{{- define "gridshare.gateway.serviceAccountName" -}}
{{- if .Values.gateway.serviceAccount.create }}
{{- default (include "gridshare.gateway.fullname" .) .Values.gateway.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.gateway.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "gridshare.gateway.image" -}}
{{- printf "%s:%s" .Values.gateway.image.repository (default .Chart.AppVersion .Values.gateway.image.tag) }}
{{- end }}

{{- define "gridshare.gateway.secretName" -}}
{{- default (printf "%s-gateway-keystore" (include "gridshare.fullname" .)) .Values.gateway.keystore.existingSecret }}
{{- end }}

{{/* True when the gateway reads Kubernetes API objects for discovery, which needs RBAC. */}}
{{- define "gridshare.gateway.needsRbac" -}}
{{- if and (eq .Values.gateway.grid.discovery "kubernetes") (eq .Values.gateway.grid.kubernetes.mode "api") }}true{{- end }}
{{- end }}

{{/* The headless Service's fully qualified name: Hazelcast's DNS lookup resolves it. */}}
{{- define "gridshare.gateway.headlessDns" -}}
{{- printf "%s.%s.svc.%s" (include "gridshare.gateway.headlessName" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{/* With tcp discovery: every member's stable DNS name and Hazelcast port, comma-separated. */}}
{{- define "gridshare.gateway.members" -}}
{{- $members := list }}
{{- $gateway := include "gridshare.gateway.fullname" . }}
{{- $dns := include "gridshare.gateway.headlessDns" . }}
{{- range $i := until (int .Values.gateway.replicaCount) }}
{{- $members = append $members (printf "%s-%d.%s:%d" $gateway $i $dns (int $.Values.gateway.ports.hazelcast)) }}
{{- end }}
{{- join "," $members }}
{{- end }}

{{/* Compute node names and labels. */}}
{{- define "gridshare.node.fullname" -}}
{{- printf "%s-node" (include "gridshare.fullname" .) }}
{{- end }}

{{- define "gridshare.node.labels" -}}
{{ include "gridshare.labels" . }}
app.kubernetes.io/component: node
{{- end }}

{{- define "gridshare.node.selectorLabels" -}}
{{ include "gridshare.selectorLabels" . }}
app.kubernetes.io/component: node
{{- end }}

{{- define "gridshare.node.serviceAccountName" -}}
{{- if .Values.node.serviceAccount.create }}
{{- default (include "gridshare.node.fullname" .) .Values.node.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.node.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "gridshare.node.image" -}}
{{- printf "%s:%s" .Values.node.image.repository (default .Chart.AppVersion .Values.node.image.tag) }}
{{- end }}

{{- define "gridshare.node.secretName" -}}
{{- default (printf "%s-node-keystore" (include "gridshare.fullname" .)) .Values.node.keystore.existingSecret }}
{{- end }}

{{/* The gateways a node dials: the configured list, or this release's gateway gRPC Service. */}}
{{- define "gridshare.node.gateways" -}}
{{- if .Values.node.gateways }}
{{- join "," .Values.node.gateways }}
{{- else }}
{{- printf "%s.%s.svc.%s:%d" (include "gridshare.gateway.grpcServiceName" .) .Release.Namespace .Values.clusterDomain (int .Values.gateway.service.grpc.port) }}
{{- end }}
{{- end }}

{{- define "gridshare.configMapName" -}}
{{- printf "%s-chain" (include "gridshare.fullname" .) }}
{{- end }}

{{/*
Environment from the chain ConfigMap, shared by gateway and node. Keys in the ConfigMap are the
variable names themselves, so a renamed variable needs only envNames changed.
*/}}
{{- define "gridshare.chainEnv" -}}
{{- $cm := include "gridshare.configMapName" . }}
{{- range $key := list "chainRpcUrl" "chainId" "contractsPaymentChannels" "contractsNodeRegistry" "contractsGridToken" }}
{{- $var := get $.Values.envNames $key }}
- name: {{ $var }}
  valueFrom:
    configMapKeyRef:
      name: {{ $cm }}
      key: {{ $var }}
{{- end }}
{{- end }}

{{/* An httpGet probe on a named port. Arguments: dict "probe" <values> "port" <port name>. */}}
{{- define "gridshare.httpProbe" -}}
httpGet:
  path: {{ .probe.path }}
  port: {{ .port }}
initialDelaySeconds: {{ .probe.initialDelaySeconds }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}
