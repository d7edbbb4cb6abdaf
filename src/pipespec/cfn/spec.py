"""CloudFormation's property names and the API members they stand for.

Each table maps a property of a resource type (or of one of its property types) to the
member of the API input the rules of the matching kind read: ``Stages`` to ``stages``,
``ActionTypeId`` to ``actionTypeId``, ``ECSServices`` to ``ecsServices`` … Names are from
the AWS CloudFormation Template Reference (AWS::CodePipeline::Pipeline,
AWS::CodeDeploy::DeploymentGroup, AWS::CodeBuild::Project and their property types);
properties CloudFormation alone has (Tags, RestartExecutionOnUpdate,
DisableInboundStageTransitions, Deployment …) are left out, and so is what no rule reads
deep inside (triggers' Git filters are kept as written).

A shape is one of:

* ``"s"``, ``"i"``, ``"b"``: a string, an integer, a boolean (CloudFormation turns
  ``"true"`` and ``"5"`` into ``true`` and ``5`` for those; so does the translation);
* a :class:`dict` of ``Property: (member, shape)``: an object;
* ``("list", shape)``: a list; ``("map", shape)``: a mapping whose keys are kept
  (an action's Configuration); ``"any"``: kept as written;
* ``("stores", shape)``: ArtifactStores, a list of ``{Region, ArtifactStore}`` that the
  API writes as a mapping of Region to store;
* ``("unwrap", key, shape)``: a list of ``{key: value}`` the API writes as a list of values
  (``Ec2TagSetList: [{Ec2TagGroup: [...]}]`` is ``ec2TagSetList: [[...]]``);
* ``"buildspec"``: Source.BuildSpec, whose ``!Sub`` text is read (its variables opaque).
"""

from __future__ import annotations

from typing import Any

Shape = Any

_NAMED: Shape = {"Name": ("name", "s")}
_LISTENERS: Shape = {"ListenerArns": ("listenerArns", ("list", "s"))}
_TAG_FILTER: Shape = {"Key": ("Key", "s"), "Type": ("Type", "s"), "Value": ("Value", "s")}
_STORE: Shape = {
    "Type": ("type", "s"),
    "Location": ("location", "s"),
    "EncryptionKey": ("encryptionKey", {"Id": ("id", "s"), "Type": ("type", "s")}),
}
_ACTION: Shape = {
    "Name": ("name", "s"),
    "ActionTypeId": ("actionTypeId", {"Category": ("category", "s"), "Owner": ("owner", "s"),
                                      "Provider": ("provider", "s"),
                                      "Version": ("version", "s")}),
    "Configuration": ("configuration", ("map", "any")),
    "InputArtifacts": ("inputArtifacts", ("list", _NAMED)),
    "OutputArtifacts": ("outputArtifacts", ("list", {"Name": ("name", "s"),
                                                     "Files": ("files", ("list", "s"))})),
    "RunOrder": ("runOrder", "i"),
    "Region": ("region", "s"),
    "RoleArn": ("roleArn", "s"),
    "Namespace": ("namespace", "s"),
    "TimeoutInMinutes": ("timeoutInMinutes", "i"),
    "Commands": ("commands", ("list", "s")),
    "OutputVariables": ("outputVariables", ("list", "s")),
    "EnvironmentVariables": ("environmentVariables", ("list", {
        "Name": ("name", "s"), "Value": ("value", "s"), "Type": ("type", "s")})),
}  # fmt: skip
PIPELINE: Shape = {
    "Name": ("name", "s"),
    "RoleArn": ("roleArn", "s"),
    "ArtifactStore": ("artifactStore", _STORE),
    "ArtifactStores": ("artifactStores", ("stores", _STORE)),
    "Stages": ("stages", ("list", {
        "Name": ("name", "s"),
        "Actions": ("actions", ("list", _ACTION)),
        "Blockers": ("blockers", ("list", {"Name": ("name", "s"), "Type": ("type", "s")})),
        "BeforeEntry": ("beforeEntry", "any"),
        "OnFailure": ("onFailure", "any"),
        "OnSuccess": ("onSuccess", "any"),
    })),
    "PipelineType": ("pipelineType", "s"),
    "ExecutionMode": ("executionMode", "s"),
    "Triggers": ("triggers", ("list", {"ProviderType": ("providerType", "s"),
                                       "GitConfiguration": ("gitConfiguration", "any")})),
    "Variables": ("variables", ("list", {"Name": ("name", "s"),
                                         "DefaultValue": ("defaultValue", "s"),
                                         "Description": ("description", "s")})),
}  # fmt: skip

DEPLOYMENT_GROUP: Shape = {
    "ApplicationName": ("applicationName", "s"),
    "DeploymentGroupName": ("deploymentGroupName", "s"),
    "DeploymentConfigName": ("deploymentConfigName", "s"),
    "ServiceRoleArn": ("serviceRoleArn", "s"),
    "AutoScalingGroups": ("autoScalingGroups", ("list", "s")),
    "DeploymentStyle": ("deploymentStyle", {"DeploymentOption": ("deploymentOption", "s"),
                                            "DeploymentType": ("deploymentType", "s")}),
    "BlueGreenDeploymentConfiguration": ("blueGreenDeploymentConfiguration", {
        "DeploymentReadyOption": ("deploymentReadyOption", {
            "ActionOnTimeout": ("actionOnTimeout", "s"),
            "WaitTimeInMinutes": ("waitTimeInMinutes", "i")}),
        "GreenFleetProvisioningOption": ("greenFleetProvisioningOption",
                                         {"Action": ("action", "s")}),
        "TerminateBlueInstancesOnDeploymentSuccess": (
            "terminateBlueInstancesOnDeploymentSuccess", {
                "Action": ("action", "s"),
                "TerminationWaitTimeInMinutes": ("terminationWaitTimeInMinutes", "i")}),
    }),
    "ECSServices": ("ecsServices", ("list", {"ClusterName": ("clusterName", "s"),
                                             "ServiceName": ("serviceName", "s")})),
    "LoadBalancerInfo": ("loadBalancerInfo", {
        "ElbInfoList": ("elbInfoList", ("list", _NAMED)),
        "TargetGroupInfoList": ("targetGroupInfoList", ("list", _NAMED)),
        "TargetGroupPairInfoList": ("targetGroupPairInfoList", ("list", {
            "ProdTrafficRoute": ("prodTrafficRoute", _LISTENERS),
            "TestTrafficRoute": ("testTrafficRoute", _LISTENERS),
            "TargetGroups": ("targetGroups", ("list", _NAMED))})),
    }),
    "Ec2TagFilters": ("ec2TagFilters", ("list", _TAG_FILTER)),
    "Ec2TagSet": ("ec2TagSet", {"Ec2TagSetList": (
        "ec2TagSetList", ("unwrap", "Ec2TagGroup", ("list", _TAG_FILTER)))}),
    "OnPremisesInstanceTagFilters": ("onPremisesInstanceTagFilters", ("list", _TAG_FILTER)),
    "OnPremisesTagSet": ("onPremisesTagSet", {"OnPremisesTagSetList": (
        "onPremisesTagSetList", ("unwrap", "OnPremisesTagGroup", ("list", _TAG_FILTER)))}),
    "AlarmConfiguration": ("alarmConfiguration", {
        "Alarms": ("alarms", ("list", _NAMED)), "Enabled": ("enabled", "b"),
        "IgnorePollAlarmFailure": ("ignorePollAlarmFailure", "b")}),
    "AutoRollbackConfiguration": ("autoRollbackConfiguration", {
        "Enabled": ("enabled", "b"), "Events": ("events", ("list", "s"))}),
    "OutdatedInstancesStrategy": ("outdatedInstancesStrategy", "s"),
    "TerminationHookEnabled": ("terminationHookEnabled", "b"),
    "TriggerConfigurations": ("triggerConfigurations", ("list", {
        "TriggerName": ("triggerName", "s"), "TriggerTargetArn": ("triggerTargetArn", "s"),
        "TriggerEvents": ("triggerEvents", ("list", "s"))})),
}  # fmt: skip

_SOURCE: Shape = {
    "Type": ("type", "s"),
    "Location": ("location", "s"),
    "BuildSpec": ("buildspec", "buildspec"),
    "GitCloneDepth": ("gitCloneDepth", "i"),
    "InsecureSsl": ("insecureSsl", "b"),
    "ReportBuildStatus": ("reportBuildStatus", "b"),
    "SourceIdentifier": ("sourceIdentifier", "s"),
}
_ARTIFACTS: Shape = {
    "Type": ("type", "s"),
    "Location": ("location", "s"),
    "Name": ("name", "s"),
    "NamespaceType": ("namespaceType", "s"),
    "Packaging": ("packaging", "s"),
    "Path": ("path", "s"),
    "EncryptionDisabled": ("encryptionDisabled", "b"),
    "OverrideArtifactName": ("overrideArtifactName", "b"),
    "ArtifactIdentifier": ("artifactIdentifier", "s"),
}
CODEBUILD_PROJECT: Shape = {
    "Name": ("name", "s"),
    "Description": ("description", "s"),
    "ServiceRole": ("serviceRole", "s"),
    "Source": ("source", _SOURCE),
    "SecondarySources": ("secondarySources", ("list", _SOURCE)),
    "Artifacts": ("artifacts", _ARTIFACTS),
    "SecondaryArtifacts": ("secondaryArtifacts", ("list", _ARTIFACTS)),
    "Environment": ("environment", {
        "Type": ("type", "s"),
        "Image": ("image", "s"),
        "ComputeType": ("computeType", "s"),
        "PrivilegedMode": ("privilegedMode", "b"),
        "EnvironmentVariables": ("environmentVariables", ("list", {
            "Name": ("name", "s"), "Value": ("value", "s"), "Type": ("type", "s")})),
        "Certificate": ("certificate", "s"),
        "ImagePullCredentialsType": ("imagePullCredentialsType", "s"),
        "RegistryCredential": ("registryCredential", {
            "Credential": ("credential", "s"),
            "CredentialProvider": ("credentialProvider", "s")}),
        "DockerServer": ("dockerServer", {
            "ComputeType": ("computeType", "s"),
            "SecurityGroupIds": ("securityGroupIds", ("list", "s"))}),
        "Fleet": ("fleet", {"FleetArn": ("fleetArn", "s")}),
    }),
    "TimeoutInMinutes": ("timeoutInMinutes", "i"),
    "QueuedTimeoutInMinutes": ("queuedTimeoutInMinutes", "i"),
    "EncryptionKey": ("encryptionKey", "s"),
    "ConcurrentBuildLimit": ("concurrentBuildLimit", "i"),
    "SourceVersion": ("sourceVersion", "s"),
}  # fmt: skip

#: Resource type -> (the kind whose rules check it, the table of its Properties).
RESOURCES: dict[str, tuple[str, Shape]] = {
    "AWS::CodePipeline::Pipeline": ("pipeline", PIPELINE),
    "AWS::CodeDeploy::DeploymentGroup": ("deployment-group", DEPLOYMENT_GROUP),
    "AWS::CodeBuild::Project": ("codebuild-project", CODEBUILD_PROJECT),
}

#: Rules of those kinds that mean nothing in a template: the AWS CLI's output wrappers.
NOT_IN_TEMPLATES = frozenset({"DG106", "CB106"})


def _names(shape: Shape, into: dict[str, str]) -> dict[str, str]:
    if isinstance(shape, dict):
        for prop, (member, sub) in shape.items():
            into.setdefault(member, prop)
            _names(sub, into)
    elif isinstance(shape, tuple):
        _names(shape[-1], into)
    return into


#: API member name -> CloudFormation property name, to word the kinds' messages.
MEMBERS: dict[str, str] = {}
for _kind, _shape in RESOURCES.values():
    _names(_shape, MEMBERS)
